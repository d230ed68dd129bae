"""Business operations. ``registrations`` is the only module that books a seat."""
