from app.web.forms import PersonForm


class ParticipantForm(PersonForm):
    """A person who registered by phone or on paper."""
