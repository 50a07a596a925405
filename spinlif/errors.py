# SPDX-License-Identifier: GPL-3.0-or-later
"""The one error type of bad user input (config, spec, problem, settings); the bottom layer, so that
readers and the schema checks above them raise the same thing."""


class SpecError(ValueError):
    """An invalid spec or config value; the message names the key, the value and what is allowed."""
