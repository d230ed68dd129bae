"""Enums whose members carry their German label, so that a label is spelled once."""

from enum import IntEnum, StrEnum


class LabelledStrEnum(StrEnum):
    """``MEMBER = "value", "Label"``: stored by value, shown by ``member.label``."""

    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


class Module(IntEnum):
    """The programme's two modules (docs/domain.md: Basismodul, then Aufbaumodul)."""

    kind: str
    title: str

    def __new__(cls, value: int, kind: str, title: str):
        member = int.__new__(cls, value)
        member._value_ = value
        member.kind = kind
        member.title = title
        return member

    BASIC = 1, "Basismodul", "Lebenswelt und Handlungsfeld Kommune"
    ADVANCED = 2, "Aufbaumodul", "Entwicklung von Zielen und deren Umsetzung"

    @property
    def label(self) -> str:
        """'Basismodul: Lebenswelt und Handlungsfeld Kommune'"""
        return f"{self.kind}: {self.title}"


class Region(LabelledStrEnum):
    """The five Regierungsbezirke of North Rhine-Westphalia."""

    ARNSBERG = "arnsberg", "Arnsberg"
    DETMOLD = "detmold", "Detmold"
    DUESSELDORF = "duesseldorf", "Düsseldorf"
    KOELN = "koeln", "Köln"
    MUENSTER = "muenster", "Münster"
