"""German texts needed outside templates (mails, calendar files, exports)."""

MODULE_TITLES = {
    1: "Lebenswelt und Handlungsfeld Kommune",
    2: "Entwicklung von Zielen und deren Umsetzung",
}

MODULE_KINDS = {
    1: "Basismodul",
    2: "Aufbaumodul",
}


def module_label(module: int) -> str:
    """'Basismodul: Lebenswelt und Handlungsfeld Kommune'"""
    return f"{MODULE_KINDS[module]}: {MODULE_TITLES[module]}"
