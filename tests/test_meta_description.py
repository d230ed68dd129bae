"""Every public page describes itself to search engines (Lighthouse SEO), in German."""

import re

from tests import factories

DESCRIPTION = re.compile(r'<meta name="description" content="([^"]+)">')


def test_each_public_page_has_its_own_description(client):
    seminar = factories.seminar(venue_town="Bielefeld")
    pages = {
        "/": "Seminare für Mitglieder der Integrationsräte",
        f"/vhs/{seminar.vhs.slug}": seminar.vhs.name,
        f"/seminare/{seminar.id}": "in Bielefeld",
        "/impressum": "Impressum",
        "/datenschutz": "Datenschutzhinweise",
        "/barrierefreiheit": "Barrierefreiheit",
        "/leichte-sprache": "in Leichter Sprache",
    }
    seen = set()
    for url, expected in pages.items():
        found = DESCRIPTION.findall(client.get(url).text)
        assert len(found) == 1, url
        assert expected in found[0], (url, found[0])
        assert 50 <= len(found[0]) <= 200, (url, len(found[0]))
        seen.add(found[0])
    assert len(seen) == len(pages)
