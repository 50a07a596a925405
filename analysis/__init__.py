# SPDX-License-Identifier: GPL-3.0-or-later
"""spinlif analysis: readers for MuMax3-format outputs, per-run stores and observables.

Everything here reads the same files whichever engine wrote them.
"""

from spinlif.analysis.ovf import OVFError, read_ovf, read_ovf_header, write_ovf
from spinlif.analysis.table import TableError, TableWriter, read_table

__all__ = ["OVFError", "TableError", "TableWriter", "read_ovf", "read_ovf_header", "read_table",
           "write_ovf"]
