# SPDX-License-Identifier: GPL-3.0-or-later
"""The OVF and table readers on real MuMax3 files and on every variant the format facts list."""

from __future__ import annotations

import re

import numpy as np
import pytest

from spinlif.analysis import OVFError, TableError, read_ovf, read_table, write_ovf
from tests.conftest import FIXTURES

SP4 = FIXTURES / "discretisedfield_mumax-bin4-linux.ovf"
RANDOM = FIXTURES / "mumax3-repo_randommag4x4x1_ovf2-bin4.ovf"
TABLE = FIXTURES / "ubermagtable_mumax3-file1_table.txt"


def split_ovf(path):
    """(header bytes up to and including the Begin: Data line, float32 data) of a Binary 4 fixture."""
    raw = path.read_bytes()
    marker = re.search(rb"# Begin: Data Binary 4\n", raw)
    head = raw[: marker.end()]
    values = np.frombuffer(raw[marker.end() + 4:], dtype="<f4")
    return head, values


# --- real fixtures --------------------------------------------------------------------------------

def test_sp4_fixture_shape_coords_time_units():
    m = read_ovf(SP4)
    assert m.dims == ("z", "y", "x", "component")
    assert m.shape == (1, 32, 128, 3)
    assert list(m.component.values) == ["x", "y", "z"]
    assert m.attrs["title"] == "m" and m.attrs["units"] == "1" and m.attrs["time"] == 0.0
    assert m.attrs["cellsize"] == pytest.approx((3.90625e-9, 3.90625e-9, 3e-9), rel=1e-9, abs=0)
    # cell centres: xbase + i * xstepsize, in metres
    assert m.x.values[0] == pytest.approx(1.953125e-9, rel=1e-9, abs=0)
    assert m.x.values[-1] == pytest.approx(5e-7 - 1.953125e-9, rel=1e-9, abs=0)
    assert m.z.values[0] == pytest.approx(1.5e-9, rel=1e-9, abs=0)
    # the SP4 initial state is uniform (1, 0.1, 0)/|.| = (0.99503719, 0.09950372, 0)
    norm = np.sqrt(1.01)
    assert np.allclose(m.sel(component="x"), 1 / norm, atol=1e-7)
    assert np.allclose(m.sel(component="y"), 0.1 / norm, atol=1e-7)
    assert np.allclose(m.sel(component="z"), 0.0)


def test_random_fixture_values_are_unit_vectors_in_file_order():
    m = read_ovf(RANDOM)
    assert m.shape == (1, 4, 4, 3)
    head, values = split_ovf(RANDOM)
    # x runs fastest, then y, components interleaved: the file order is (z, y, x, c)
    assert np.array_equal(m.values.ravel(), values[: 4 * 4 * 3])
    assert np.allclose(np.linalg.norm(m.values, axis=-1), 1.0, atol=1e-6)
    assert m.attrs["cellsize"] == (1.0, 1.0, 1.0)


def test_table_fixture_columns_units_values():
    df = read_table(TABLE)
    assert list(df.columns) == ["t", "mx", "my", "mz", "E_total", "E_exch", "E_demag", "E_Zeeman",
                                "E_anis", "dt", "maxTorque"]
    assert df.attrs["units"]["t"] == "s" and df.attrs["units"]["mx"] == ""
    assert df.attrs["units"]["E_total"] == "J" and df.attrs["units"]["maxTorque"] == "T"
    assert len(df) == 10
    assert df.t.iloc[0] == 1e-10 and df.t.iloc[-1] == pytest.approx(1e-9, rel=1e-9, abs=0)
    assert df.mx.iloc[0] == pytest.approx(0.98323005)
    assert df.attrs["dropped_partial_rows"] == 0


@pytest.mark.parametrize("path", [SP4, RANDOM])
def test_discretisedfield_cross_check(path):
    """An independent reader (ubermag's discretisedfield, the ``ubermag`` extra) agrees with ours."""
    df = pytest.importorskip("discretisedfield")
    theirs = df.Field.from_file(str(path))
    ours = read_ovf(path)
    assert np.array_equal(theirs.array, ours.values.transpose(2, 1, 0, 3))
    assert np.allclose(theirs.mesh.cell, ours.attrs["cellsize"])


def test_conversion_to_discretisedfield():
    pytest.importorskip("discretisedfield")
    from spinlif.analysis.ubermag import to_discretisedfield

    ours = read_ovf(SP4)
    field = to_discretisedfield(ours)
    assert np.array_equal(field.array, ours.values.transpose(2, 1, 0, 3))
    assert np.allclose(field.mesh.cell, (3.90625e-9, 3.90625e-9, 3e-9))
    assert np.allclose(field.mesh.region.pmin, (0, 0, 0), atol=1e-15)
    assert np.allclose(field.mesh.region.pmax, (5e-7, 1.25e-7, 3e-9))


# --- format variants --------------------------------------------------------------------------------

def test_binary8_variant(tmp_path):
    head, values = split_ovf(RANDOM)
    n = 4 * 4 * 3
    path = tmp_path / "b8.ovf"
    path.write_bytes(head.replace(b"Binary 4", b"Binary 8")
                     + np.array([123456789012345.0], "<f8").tobytes()
                     + values[:n].astype("<f8").tobytes()
                     + b"# End: Data Binary 8\n# End: Segment\n")
    assert np.array_equal(read_ovf(path).values.ravel(), values[:n].astype(np.float64))


def test_text_variant_with_trailing_spaces(tmp_path):
    head, values = split_ovf(RANDOM)
    n = 4 * 4 * 3
    rows = "".join(" ".join(str(v) for v in values[i:i + 3]) + " \n" for i in range(0, n, 3))
    path = tmp_path / "text.ovf"
    path.write_bytes(head.replace(b"Binary 4", b"Text") + rows.encode()
                     + b"# End: Data Text\n# End: Segment\n")
    assert np.allclose(read_ovf(path).values.ravel(), values[:n], rtol=1e-6)


def test_crlf_header_and_lowercase_legacy_header(tmp_path):
    head, values = split_ovf(SP4)
    raw = SP4.read_bytes()
    data = raw[len(head):]
    crlf = tmp_path / "crlf.ovf"
    crlf.write_bytes(head.replace(b"\n", b"\r\n") + data)
    assert np.array_equal(read_ovf(crlf).values, read_ovf(SP4).values)
    legacy_head = (head.replace(b"Begin: Data Binary 4", b"Begin: Data binary 4")
                   .replace(b"# xstepsize: 3.90625e-09", b"# xstepsize: 0")
                   .replace(b"Title", b"title"))
    legacy = tmp_path / "legacy.ovf"
    legacy.write_bytes(legacy_head + data)
    m = read_ovf(legacy)
    assert m.attrs["title"] == "m"
    # xstepsize 0 is not trusted: the step comes from xmax / xnodes
    assert m.attrs["cellsize"][0] == pytest.approx(3.90625e-9, rel=1e-9, abs=0)


def test_scalar_field(tmp_path):
    head, values = split_ovf(RANDOM)
    scalar_head = (head.replace(b"# valuedim: 3", b"# valuedim: 1")
                   .replace(b"# valuelabels: m_x m_y m_z", b"# valuelabels: Ku1")
                   .replace(b"# valueunits: 1 1 1", b"# valueunits: J/m3")
                   .replace(b"# Title: m", b"# Title: Ku1"))
    path = tmp_path / "scalar.ovf"
    path.write_bytes(scalar_head + np.array([1234567.0], "<f4").tobytes() + values[:16].tobytes()
                     + b"# End: Data Binary 4\n# End: Segment\n")
    k = read_ovf(path)
    assert k.shape == (1, 4, 4, 1) and list(k.component.values) == ["Ku1"]
    assert k.attrs["units"] == "J/m3"
    assert np.array_equal(k.values.ravel(), values[:16])


def test_ovf1_big_endian(tmp_path):
    _, values = split_ovf(RANDOM)
    n = 4 * 4 * 3
    head = ("# OOMMF: rectangular mesh v1.0\n# Segment count: 1\n# Begin: Segment\n# Begin: Header\n"
            "# Title: m\n# meshtype: rectangular\n# meshunit: m\n# xbase: 5e-10\n# ybase: 5e-10\n"
            "# zbase: 5e-10\n# xstepsize: 1e-09\n# ystepsize: 1e-09\n# zstepsize: 1e-09\n"
            "# xnodes: 4\n# ynodes: 4\n# znodes: 1\n# xmin: 0\n# ymin: 0\n# zmin: 0\n# xmax: 4e-09\n"
            "# ymax: 4e-09\n# zmax: 1e-09\n# valueunit: 1\n# valuemultiplier: 1\n"
            "# Desc: Time (s): 2.5e-10\n# End: Header\n# Begin: Data Binary 4\n").encode()
    path = tmp_path / "ovf1.ovf"
    path.write_bytes(head + np.array([1234567.0], ">f4").tobytes() + values[:n].astype(">f4").tobytes()
                     + b"# End: Data Binary 4\n# End: Segment\n")
    m = read_ovf(path)
    assert m.attrs["time"] == 2.5e-10 and m.attrs["ovf_version"] == 1
    assert np.array_equal(m.values.ravel(), values[:n])


def test_time_from_desc_with_two_spaces(tmp_path):
    raw = SP4.read_bytes().replace(b"Total simulation time:  0  s", b"Total simulation time:  1.5e-09  s")
    path = tmp_path / "t.ovf"
    path.write_bytes(raw)
    assert read_ovf(path).attrs["time"] == 1.5e-9


# --- corrupt files ----------------------------------------------------------------------------------

def test_bad_control_number_is_rejected(tmp_path):
    head, values = split_ovf(RANDOM)
    path = tmp_path / "bad.ovf"
    path.write_bytes(head + np.array([7.0], "<f4").tobytes() + values.tobytes())
    with pytest.raises(OVFError, match="bad control number"):
        read_ovf(path)


def test_short_data_is_rejected(tmp_path):
    raw = SP4.read_bytes()
    path = tmp_path / "short.ovf"
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(OVFError, match="short data"):
        read_ovf(path)


def test_not_an_ovf_file(tmp_path):
    path = tmp_path / "x.ovf"
    path.write_bytes(TABLE.read_bytes())
    with pytest.raises(OVFError, match="not an OVF file"):
        read_ovf(path)


def test_table_truncated_last_line_and_repeated_t(tmp_path):
    raw = TABLE.read_text()
    lines = raw.splitlines(keepends=True)
    # Relax()/Minimize() repeat t: duplicate a row; then a kill cuts the last row mid-number
    text = lines[0] + lines[1] + lines[1] + "".join(lines[2:]) + lines[3][:17]
    path = tmp_path / "table.txt"
    path.write_text(text)
    df = read_table(path)
    assert len(df) == 11  # 10 rows + the duplicate, partial row dropped
    assert df.attrs["dropped_partial_rows"] == 1
    assert df.t.iloc[0] == df.t.iloc[1]


def test_table_corrupt_middle_row_is_an_error(tmp_path):
    lines = TABLE.read_text().splitlines(keepends=True)
    lines[3] = "\t".join(lines[3].split("\t")[:4]) + "\n"
    path = tmp_path / "table.txt"
    path.write_text("".join(lines))
    with pytest.raises(TableError, match="data row 3 has 4 fields"):
        read_table(path)


def test_table_header_only(tmp_path):
    path = tmp_path / "table.txt"
    path.write_text(TABLE.read_text().splitlines()[0] + "\n")
    df = read_table(path)
    assert len(df) == 0 and "maxTorque" in df.columns


# --- writer round trip (the CPU engine's output path) ----------------------------------------------

@pytest.mark.parametrize("fmt", ["binary4", "text"])
def test_writer_round_trip_matches_mumax3_header(tmp_path, fmt):
    m = read_ovf(SP4)
    out = write_ovf(tmp_path / "m000000.ovf", m.values, m.attrs["cellsize"], time=1e-10, data_format=fmt)
    back = read_ovf(out)
    assert np.array_equal(back.values.astype(np.float32), m.values)
    assert back.attrs["time"] == 1e-10
    assert np.allclose(back.x.values, m.x.values)
    if fmt == "binary4":
        # identical header lines to the MuMax3-written file, apart from the time
        ours = out.read_bytes().split(b"# Begin: Data")[0]
        theirs = SP4.read_bytes().split(b"# Begin: Data")[0]
        assert ours == theirs.replace(b"time:  0  s", b"time:  1e-10  s")


def test_snapshots_on_different_grids_are_refused_not_padded(tmp_path):
    """Issue 17 item 10: OVFs of one run on different grids were outer-joined with NaN padding."""
    import numpy as np

    from spinlif.analysis.ovf import write_ovf
    from spinlif.analysis.store import read_snapshots
    from spinlif.runs import RunIntegrityError

    m = np.zeros((1, 4, 8, 3), np.float32)
    m[..., 2] = 1
    write_ovf(tmp_path / "m000000.ovf", m, (1e-9, 1e-9, 1e-9))
    write_ovf(tmp_path / "m000001.ovf", m, (1e-9, 1e-9, 1e-9), time=1e-12)
    assert read_snapshots(tmp_path).sizes["t_snap"] == 2  # same grid: stacked
    write_ovf(tmp_path / "m000002.ovf", np.concatenate([m, m], axis=2), (1e-9, 1e-9, 1e-9), time=2e-12)
    with pytest.raises(RunIntegrityError, match=r"m000002.ovf: grid \(1, 4, 16\) .* differs from m000000.ovf's \(1, 4, 8\)"):
        read_snapshots(tmp_path)
    write_ovf(tmp_path / "m000002.ovf", m, (2e-9, 1e-9, 1e-9), time=2e-12)  # same shape, other cells
    with pytest.raises(RunIntegrityError, match="differs from"):
        read_snapshots(tmp_path)
