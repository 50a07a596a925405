# SPDX-License-Identifier: GPL-3.0-or-later
"""Spiking networks built from the parameter table (issue 16): neuron modules made from
``load_params`` rows, in snnTorch's interface beside ``snn.Leaky``. Optional dependency:
``pip install spinlif[snn]`` (snntorch; torch must already be installed)."""
