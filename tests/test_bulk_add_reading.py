"""Reading a list of people for the bulk add: CSV and pasted text, encodings, XLSX, the
header row, and every way a file can be the wrong one. Pure: no database, no app."""

import codecs
import io
import zipfile

import pytest
from openpyxl import Workbook

from app.core import tables
from app.core.tables import Problem, TableError
from app.services import bulk_add, messages
from app.services.bulk_add import BulkAddError, Row

PEOPLE = [
    ("Nguyễn", "Thị Minh", "Köln", "minh.nguyen@example.org"),
    ("O'Neill", "Siobhán", "Düsseldorf", "s.oneill@example.org"),
    ("Çelik", "Ayşe", "Gelsenkirchen", "ayse.celik@example.org"),
]


def _csv(rows, separator=";", header=("Name", "Vorname", "Ort", "E-Mail")) -> str:
    lines = [separator.join(header)] if header else []
    lines += [separator.join(row) for row in rows]
    return "\r\n".join(lines) + "\r\n"


def _people(sheet) -> list[tuple[str, str, str, str]]:
    return [(r.last_name, r.first_name, r.town, r.email) for r in sheet.rows]


def _xlsx(rows, sheets=1) -> bytes:
    workbook = Workbook()
    workbook.active.title = "Anmeldungen"
    for row in rows:
        workbook.active.append(list(row))
    for n in range(1, sheets):
        workbook.create_sheet(f"Blatt {n + 1}").append(["anderes"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _problem(read, *args) -> Problem:
    with pytest.raises(TableError) as raised:
        read(*args)
    return raised.value.problem


# -- separators, encodings -----------------------------------------------------------------


@pytest.mark.parametrize("separator", [";", ",", "\t"])
def test_the_separator_is_found_from_the_rows(separator):
    sheet = bulk_add.read_upload(_csv(PEOPLE, separator).encode("utf-8"))
    assert _people(sheet) == PEOPLE
    assert [r.number for r in sheet.rows] == [2, 3, 4]  # line numbers as the file counts them


def test_a_comma_inside_a_semicolon_list_stays_in_its_cell():
    text = "Müller;Hans;Mülheim, Ruhr;hans@example.org\nSchmidt;Eva;Köln, Porz;eva@example.org\n"
    assert _people(bulk_add.read_pasted(text)) == [
        ("Müller", "Hans", "Mülheim, Ruhr", "hans@example.org"),
        ("Schmidt", "Eva", "Köln, Porz", "eva@example.org"),
    ]


def test_quoted_cells_keep_separators_and_line_numbers_follow_the_file():
    text = (
        'Name,Vorname,Ort,E-Mail\n"Meyer, Dr.",Jo,"Essen\nKray",jo@example.org\n'
        "Lee,Kim,Bonn,k@example.org\n"
    )
    sheet = bulk_add.read_pasted(text)
    assert [r.last_name for r in sheet.rows] == ["Meyer, Dr.", "Lee"]
    assert sheet.rows[0].town == "Essen\nKray"  # the form refuses the line break later
    assert [r.number for r in sheet.rows] == [2, 4]


def test_utf8_with_bom_is_read_and_the_bom_is_not_part_of_the_header():
    data = codecs.BOM_UTF8 + _csv(PEOPLE).encode("utf-8")
    sheet = bulk_add.read_upload(data)
    assert _people(sheet) == PEOPLE
    assert sheet.notes == ()


def test_utf16_with_bom_as_excel_saves_unicode_text_is_read():
    data = _csv(PEOPLE, "\t").encode("utf-16")  # Python writes the BOM
    assert _people(bulk_add.read_upload(data)) == PEOPLE


def test_a_windows_1252_file_from_german_excel_is_read_and_says_so():
    rows = [
        ("Müller", "Jürgen", "Köln", "j.mueller@example.org"),
        ("Weiß", "Zoë", "Düren", "zw@example.org"),
    ]
    data = _csv(rows).encode("cp1252")
    table = tables.read_file(data)
    assert table.encoding == "cp1252"
    sheet = bulk_add.read_upload(data)
    assert _people(sheet) == rows
    assert sheet.notes == (messages.BULK_READ_AS_1252,)


@pytest.mark.parametrize(
    ("text", "codepage"),
    [
        ("Yıldız;Ayşe;Köln;ay@example.org", "cp1254"),  # would read "Yýldýz", "Ayþe"
        ("Wałęsa;Łucja;Bonn;lw@example.org", "cp1250"),  # would read "Wa³êsa", "£ucja"
    ],
)
def test_another_code_page_is_refused_with_the_way_out(text, codepage):
    data = text.encode(codepage)
    assert _problem(tables.read_file, data) == Problem.ENCODING
    with pytest.raises(BulkAddError) as refused:
        bulk_add.read_upload(data)
    assert "CSV UTF-8" in refused.value.message


def test_a_code_page_whose_bytes_are_letters_in_1252_too_is_read_with_the_note():
    # the limit of guessing: "Dvořák" in Central European 1250 reads as "Dvoøák"; the
    # preview shows it and the note asks to check the special characters
    sheet = bulk_add.read_upload("Dvořák;Petr;Aachen;pd@example.org".encode("cp1250"))
    assert sheet.rows[0].last_name == "Dvoøák"
    assert sheet.notes == (messages.BULK_READ_AS_1252,)


def test_a_byte_windows_1252_does_not_define_is_refused():
    assert _problem(tables.read_file, b"M\x81ller;Hans;K\xf6ln;h@example.org") == Problem.ENCODING


def test_umlauts_encoded_twice_are_refused():
    garbled = "Müller;Hans;Köln;h@example.org".encode().decode("cp1252")  # "MÃ¼ller"
    assert _problem(tables.read_file, garbled.encode("utf-8")) == Problem.GARBLED
    assert _problem(tables.read_text, garbled) == Problem.GARBLED


# -- xlsx ------------------------------------------------------------------------------------


def test_an_xlsx_is_read_with_english_headers_in_another_order():
    header = ("E-mail address", "Surname", "First name", "City", "Phone")
    rows = [(p[3], p[0], p[1], p[2], "0221 123") for p in PEOPLE]
    sheet = bulk_add.read_upload(_xlsx([header, *rows]))
    assert _people(sheet) == PEOPLE
    assert [r.number for r in sheet.rows] == [2, 3, 4]
    assert sheet.notes == (messages.bulk_columns_ignored(["Phone"]),)


def test_an_xlsx_is_read_as_its_cells_show_text_numbers_and_formulas():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Vorname", "Ort", "E-Mail"])
    sheet.append(["=HYPERLINK(1)", 4711, 12.5, "x@example.org"])
    sheet["A2"].data_type = "s"  # a text that looks like a formula
    sheet.append(["=1+1", "Eva", "Köln", "eva@example.org"])  # a formula, never calculated
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert _people(bulk_add.read_upload(buffer.getvalue())) == [
        ("=HYPERLINK(1)", "4711", "12.5", "x@example.org"),
        ("", "Eva", "Köln", "eva@example.org"),  # no cached value: the form asks for it
    ]


def test_the_active_sheet_is_read_and_the_note_names_it():
    sheet = bulk_add.read_upload(_xlsx([PEOPLE[0]], sheets=3))
    assert _people(sheet) == [PEOPLE[0]]
    assert sheet.notes == (messages.bulk_sheet_read("Anmeldungen", 3),)


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_an_xlsx_that_would_unpack_to_a_huge_sheet_is_refused_before_reading():
    bomb = _zip({"xl/workbook.xml": b"<x/>", "xl/worksheets/sheet1.xml": b"0" * (20 * 2**20)})
    assert len(bomb) < 100_000
    assert _problem(tables.read_file, bomb) == Problem.TOO_LARGE


def test_a_sheet_with_too_many_rows_is_refused():
    rows = [("Name", "Vorname", "Ort", "E-Mail")]
    rows += [(f"N{n}", "V", "O", f"p{n}@example.org") for n in range(bulk_add.MAX_PEOPLE + 1)]
    with pytest.raises(BulkAddError) as refused:
        bulk_add.read_upload(_xlsx(rows))
    assert refused.value.message == messages.table_problem(
        Problem.TOO_MANY_ROWS, bulk_add.MAX_PEOPLE
    )


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, Problem.OTHER_SPREADSHEET),
        (
            _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
            Problem.OTHER_SPREADSHEET,
        ),
        (_zip({"word/document.xml": b"<w/>"}), Problem.NOT_A_TABLE),
        (_zip({"xl/workbook.xml": b"not xml at all"}), Problem.NOT_A_TABLE),
        (b"PK\x03\x04 broken", Problem.NOT_A_TABLE),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", Problem.NOT_A_TABLE),
        (b"%PDF-1.7\n\x00\x01binary", Problem.NOT_A_TABLE),
        (b"Sehr geehrte Damen und Herren\nanbei die Liste\n", Problem.NOT_A_TABLE),
        (b"", Problem.EMPTY),
        (b" \r\n\r\n ", Problem.EMPTY),
    ],
    ids=[
        "xls",
        "ods",
        "docx",
        "broken-xlsx",
        "broken-zip",
        "png",
        "pdf",
        "letter",
        "empty",
        "blank",
    ],
)
def test_files_that_are_no_list_get_their_reason(data, problem):
    assert _problem(tables.read_file, data) == problem


def test_prose_with_commas_is_no_list_of_people():
    text = "Hallo zusammen, anbei die Namen, wie besprochen.\nViele Grüße, Eva\n"
    with pytest.raises(BulkAddError) as refused:
        bulk_add.read_pasted(text)
    assert refused.value.message == messages.BULK_NO_ADDRESSES


def test_more_than_one_megabyte_is_refused():
    data = _csv(PEOPLE).encode() + b"x" * tables.MAX_BYTES
    assert _problem(tables.read_file, data) == Problem.TOO_LARGE
    assert _problem(tables.read_text, data.decode()) == Problem.TOO_LARGE


def test_more_people_than_allowed_are_refused_with_the_limit_named():
    rows = [(f"N{n}", "V", "O", f"p{n}@example.org") for n in range(bulk_add.MAX_PEOPLE + 1)]
    with pytest.raises(BulkAddError) as refused:
        bulk_add.read_pasted(_csv(rows))
    assert f"höchstens {bulk_add.MAX_PEOPLE} Personen" in refused.value.message
    rows.pop()
    assert len(bulk_add.read_pasted(_csv(rows)).rows) == bulk_add.MAX_PEOPLE


# -- the header row --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        ("Name", "Vorname", "Ort", "E-Mail-Adresse"),
        ("NACHNAME", "vorname", "Wohnort", "Mail"),
        (" Familienname ", "Vor-Name", "Stadt", "E‑Mail"),  # non-breaking hyphen
        ("Last name", "First Name", "Town", "Email address"),
        ("surname", "given name", "city", "e_mail"),
    ],
)
def test_header_names_in_german_or_english_any_spelling(header):
    assert _people(bulk_add.read_pasted(_csv(PEOPLE, header=header))) == PEOPLE


def test_columns_in_any_order_and_extra_ones_left_out_with_a_note():
    header = ("Nr.", "E-Mail", "Ort", "Vorname", "Name", "Geburtsdatum")
    rows = [("1", p[3], p[2], p[1], p[0], "1.1.1970") for p in PEOPLE]
    sheet = bulk_add.read_pasted(_csv(rows, header=header))
    assert _people(sheet) == PEOPLE
    assert sheet.notes == (messages.bulk_columns_ignored(["Nr.", "Geburtsdatum"]),)
    assert "„Nr.“ und „Geburtsdatum“ werden nicht übernommen" in sheet.notes[0]


def test_a_header_missing_a_column_names_it():
    with pytest.raises(BulkAddError) as refused:
        bulk_add.read_pasted(_csv(PEOPLE, header=("Name", "Vorname", "E-Mail", "Bemerkung")))
    assert refused.value.message == messages.bulk_missing_columns(["Ort"])
    assert "fehlt die Spalte „Ort“" in refused.value.message


def test_a_title_line_above_the_header_is_left_out_with_a_note():
    text = "Teilnehmende Integrationsrat Köln\n\n" + _csv(PEOPLE)
    sheet = bulk_add.read_pasted(text)
    assert _people(sheet) == PEOPLE
    assert sheet.notes == (messages.bulk_lines_above_header([1]),)


def test_without_a_header_the_fixed_order_holds():
    sheet = bulk_add.read_pasted(_csv(PEOPLE, "\t", header=None))
    assert _people(sheet) == PEOPLE
    assert [r.number for r in sheet.rows] == [1, 2, 3]


def test_without_a_header_trailing_empty_cells_are_fine_and_a_fifth_value_is_not():
    text = "Meyer;Jo;Essen;jo@example.org;;;\nLee;Kim;Bonn;k@example.org;0228 1234\nKurz;Ute\n"
    rows = bulk_add.read_pasted(text).rows
    assert rows[0] == Row(1, "Meyer", "Jo", "Essen", "jo@example.org")
    assert rows[1].problem == messages.BULK_TOO_MANY_CELLS
    assert rows[2] == Row(3, "Kurz", "Ute", "", "")  # the form names what is missing


def test_a_header_only_is_an_empty_list():
    with pytest.raises(BulkAddError) as refused:
        bulk_add.read_pasted("Name;Vorname;Ort;E-Mail\n")
    assert refused.value.message == messages.table_problem(Problem.EMPTY, bulk_add.MAX_PEOPLE)


def test_a_very_long_cell_is_cut_but_stays_too_long_for_the_form():
    long_name = "A" * 5000
    row = bulk_add.read_pasted(f"{long_name};B;C;d@example.org\n").rows[0]
    assert len(row.last_name) == bulk_add.CELL_MAX + 1
    assert row.last_name.endswith("…")
