"""Data sources: the lesson's blobs exactly, moons/circles options, the split, and CSV reading.

The oracles are scikit-learn's generators and `train_test_split` called here, and CSV files
whose content (and so the expected line numbers) is written out in each test.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys

import numpy as np
import pytest
from sklearn.datasets import make_blobs, make_circles, make_moons
from sklearn.model_selection import train_test_split

from gdtui.engine import DataError, TrainConfig, load_dataset
from gdtui.engine import data as data_module
from gdtui.engine.data import read_csv


def expected_split(X, y, test_size):
    """The lesson's split, then the ones column put FIRST (gdtui's W = w0 bias, w1, w2)."""
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=test_size, random_state=42)
    ones = lambda a: np.hstack([np.ones((len(a), 1)), a])  # noqa: E731
    return ones(Xtr), ones(Xte), ytr.astype(float), yte.astype(float)


def assert_dataset_equals(ds, X, y, test_size):
    Xtr, Xte, ytr, yte = expected_split(X, y, test_size)
    for got, want in ((ds.X_train, Xtr), (ds.X_test, Xte), (ds.y_train, ytr), (ds.y_test, yte)):
        assert got.dtype == np.float64
        assert got.shape == want.shape
        np.testing.assert_array_equal(got, want)


def write(tmp_path, name, content):
    path = tmp_path / name
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))
    else:
        path.write_bytes(content)
    return str(path)


# ---- generated data ------------------------------------------------------------------------------


def test_default_data_is_the_lessons_blobs_exactly():
    ds = load_dataset(TrainConfig())
    X, y = make_blobs(n_samples=1000, n_features=2, centers=2, cluster_std=1.5, random_state=1)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.5, random_state=42)

    assert ds.X_train.shape == (500, 3) and ds.X_test.shape == (500, 3)
    assert ds.y_train.shape == (500,) and ds.y_test.shape == (500,)
    # bias column first, all ones; then the lesson's two features unchanged
    assert np.all(ds.X_train[:, 0] == 1.0) and np.all(ds.X_test[:, 0] == 1.0)
    np.testing.assert_array_equal(ds.X_train[:, 1:], Xtr)
    np.testing.assert_array_equal(ds.X_test[:, 1:], Xte)
    # labels: float 0/1, the same rows as the lesson's
    assert ds.y_train.dtype == np.float64 and ds.y_test.dtype == np.float64
    assert set(np.unique(ds.y_train)) == {0.0, 1.0}
    np.testing.assert_array_equal(ds.y_train, ytr.astype(float))
    np.testing.assert_array_equal(ds.y_test, yte.astype(float))
    assert ds.labels == ("0", "1")
    assert ds.X_train.flags["C_CONTIGUOUS"] and ds.X_test.flags["C_CONTIGUOUS"]


def test_default_test_split_has_250_of_each_class():
    ds = load_dataset(TrainConfig())
    assert int(np.sum(ds.y_test == 0)) == 250
    assert int(np.sum(ds.y_test == 1)) == 250


@pytest.mark.parametrize("samples, noise, seed", [(200, 0.5, 7), (57, 3.0, 0), (1000, 1.5, 2)])
def test_blobs_honour_samples_cluster_std_and_seed(samples, noise, seed):
    ds = load_dataset(TrainConfig(samples=samples, noise=noise, data_seed=seed))
    X, y = make_blobs(n_samples=samples, n_features=2, centers=2, cluster_std=noise, random_state=seed)
    assert_dataset_equals(ds, X, y, 0.5)


def test_blobs_data_seed_changes_the_points():
    a = load_dataset(TrainConfig(data_seed=1))
    b = load_dataset(TrainConfig(data_seed=2))
    assert not np.array_equal(a.X_train, b.X_train)


@pytest.mark.parametrize("samples, noise, seed", [(300, 0.05, 3), (101, 0.3, 11)])
def test_moons_honour_samples_noise_and_seed(samples, noise, seed):
    ds = load_dataset(TrainConfig(dataset="moons", samples=samples, noise=noise, data_seed=seed))
    X, y = make_moons(n_samples=samples, noise=noise, random_state=seed)
    assert_dataset_equals(ds, X, y, 0.5)


def test_moons_default_noise_is_documented_value():
    # `--help`: "moons: noise (0.2)"
    ds = load_dataset(TrainConfig(dataset="moons", samples=150, data_seed=4))
    X, y = make_moons(n_samples=150, noise=0.2, random_state=4)
    assert_dataset_equals(ds, X, y, 0.5)


def test_moons_seed_and_noise_change_the_points():
    base = load_dataset(TrainConfig(dataset="moons", samples=100, noise=0.1, data_seed=0))
    other_seed = load_dataset(TrainConfig(dataset="moons", samples=100, noise=0.1, data_seed=1))
    other_noise = load_dataset(TrainConfig(dataset="moons", samples=100, noise=0.3, data_seed=0))
    assert not np.array_equal(base.X_train, other_seed.X_train)
    assert not np.array_equal(base.X_train, other_noise.X_train)


def _radii(ds):
    X = np.vstack([ds.X_train, ds.X_test])
    y = np.concatenate([ds.y_train, ds.y_test])
    return np.hypot(X[:, 1], X[:, 2]), y


def test_circles_without_noise_are_two_concentric_circles():
    ds = load_dataset(TrainConfig(dataset="circles", samples=120, noise=0.0, data_seed=5))
    r, y = _radii(ds)
    assert len(r) == 120
    outer, inner = r[y == 0], r[y == 1]
    assert len(outer) == 60 and len(inner) == 60
    np.testing.assert_allclose(outer, 1.0, atol=1e-12)
    factor = inner[0]
    assert 0 < factor < 1
    np.testing.assert_allclose(inner, factor, atol=1e-12)


@pytest.mark.parametrize("samples, noise, seed", [(120, 0.05, 5), (81, 0.2, 9)])
def test_circles_honour_samples_noise_and_seed(samples, noise, seed):
    # the inner radius is read off a noise-free run, so the oracle does not assume it
    clean = load_dataset(TrainConfig(dataset="circles", samples=samples, noise=0.0, data_seed=seed))
    r, y = _radii(clean)
    factor = float(np.median(r[y == 1]))
    ds = load_dataset(TrainConfig(dataset="circles", samples=samples, noise=noise, data_seed=seed))
    X, yy = make_circles(n_samples=samples, noise=noise, factor=factor, random_state=seed)
    Xtr, Xte, ytr, yte = expected_split(X, yy, 0.5)
    np.testing.assert_allclose(ds.X_train, Xtr, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ds.X_test, Xte, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(ds.y_train, ytr)
    np.testing.assert_array_equal(ds.y_test, yte)


def test_circles_seed_changes_the_points():
    a = load_dataset(TrainConfig(dataset="circles", samples=100, noise=0.1, data_seed=0))
    b = load_dataset(TrainConfig(dataset="circles", samples=100, noise=0.1, data_seed=1))
    assert not np.array_equal(a.X_train, b.X_train)


@pytest.mark.parametrize("samples, test_size", [(1000, 0.2), (1000, 0.5), (10, 0.25), (333, 0.7), (50, 0.01)])
def test_test_size_sets_the_split_sizes(samples, test_size):
    ds = load_dataset(TrainConfig(samples=samples, test_size=test_size))
    n_test = math.ceil(test_size * samples)
    assert len(ds.y_test) == n_test == len(ds.X_test)
    assert len(ds.y_train) == samples - n_test == len(ds.X_train)
    X, y = make_blobs(n_samples=samples, n_features=2, centers=2, cluster_std=1.5, random_state=1)
    assert_dataset_equals(ds, X, y, test_size)


# ---- CSV through load_dataset ---------------------------------------------------------------------


def test_csv_dataset_is_split_like_generated_data(tmp_path):
    rng = np.random.default_rng(3)
    pts = rng.normal(size=(30, 2))
    names = ["dog" if v > 0 else "cat" for v in pts[:, 0] + pts[:, 1]]
    lines = ["x1,x2,label"] + [f"{float(a)!r},{float(b)!r},{n}" for (a, b), n in zip(pts, names)]
    path = write(tmp_path, "pets.csv", "\n".join(lines) + "\n")
    ds = load_dataset(TrainConfig(dataset=path, test_size=0.3))
    y = np.array([1.0 if n == "dog" else 0.0 for n in names])
    assert_dataset_equals(ds, pts, y, 0.3)
    assert ds.name == "pets.csv"
    assert ds.labels == ("cat", "dog")
    assert ds.label_mapping == "cat -> 0, dog -> 1"


def test_csv_too_small_to_split_is_a_data_error(tmp_path):
    path = write(tmp_path, "two.csv", "1,2,a\n3,4,b\n")
    with pytest.raises(DataError, match=r"two\.csv"):
        load_dataset(TrainConfig(dataset=path, test_size=0.9))
    # the same file splits fine one row each side
    ds = load_dataset(TrainConfig(dataset=path, test_size=0.5))
    assert len(ds.y_train) == 1 and len(ds.y_test) == 1


# ---- read_csv ------------------------------------------------------------------------------------

ROWS = [(0.5, -1.25, "b"), (2.0, 3.0, "a"), (-4.5, 0.125, "b"), (1e-3, 7.0, "a")]
PLAIN = "".join(f"{x1},{x2},{lab}\n" for x1, x2, lab in ROWS)
EXPECTED_POINTS = np.array([[x1, x2] for x1, x2, _ in ROWS])
EXPECTED_LABELS = np.array([1.0 if lab == "b" else 0.0 for *_, lab in ROWS])


def check_plain(result):
    points, labels, names = result
    assert points.dtype == np.float64 and points.shape == (4, 2)
    np.testing.assert_array_equal(points, EXPECTED_POINTS)
    assert labels.dtype == np.float64
    np.testing.assert_array_equal(labels, EXPECTED_LABELS)
    assert names == ("a", "b")


@pytest.mark.parametrize("variant, content", [
    ("plain", PLAIN),
    ("header", "x1,x2,label\n" + PLAIN),
    ("quoted header", '"x1","x2","label"\n' + PLAIN),
    ("blank lines", "\n" + PLAIN.replace("\n", "\n\n", 2) + "\n   \n,,\n"),
    ("crlf", PLAIN.replace("\n", "\r\n")),
    ("bom", "\ufeff" + PLAIN),
    ("bom+header+crlf", "\ufeffx1,x2,label\r\n" + PLAIN.replace("\n", "\r\n")),
    ("spaces", "".join(f" {x1} ,\t{x2} , {lab} \n" for x1, x2, lab in ROWS)),
    ("no final newline", PLAIN.rstrip("\n")),
    ("quoted values", "".join(f'"{x1}","{x2}","{lab}"\n' for x1, x2, lab in ROWS)),
])
def test_read_csv_accepts(tmp_path, variant, content):
    check_plain(read_csv(write(tmp_path, "d.csv", content)))


@pytest.mark.parametrize("pair, expected", [
    (("-1", "1"), ("-1", "1")),
    (("1", "-1"), ("-1", "1")),
    (("7", "2"), ("2", "7")),
    (("10", "9"), ("9", "10")),       # by value, not by text ("10" < "9" as text)
    (("0.5", "-2e1"), ("-2e1", "0.5")),
    (("dog", "cat"), ("cat", "dog")),
    (("yes", "no"), ("no", "yes")),
])
def test_read_csv_label_order(tmp_path, pair, expected):
    first, second = pair
    content = f"1,2,{first}\n3,4,{second}\n5,6,{first}\n"
    points, labels, names = read_csv(write(tmp_path, "l.csv", content))
    assert names == expected
    want = [float(expected.index(lab)) for lab in (first, second, first)]
    np.testing.assert_array_equal(labels, want)


def test_read_csv_label_order_does_not_depend_on_hash_seed(tmp_path):
    # "1" and "1.0" are two distinct labels of equal value: their order must still be fixed
    path = write(tmp_path, "tie.csv", "1,2,1\n3,4,1.0\n5,6,1\n7,8,1.0\n")
    code = f"from gdtui.engine.data import read_csv; print(read_csv({path!r})[2])"
    seen = set()
    for hash_seed in ("0", "1", "2", "3", "4"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        seen.add(out.stdout.strip())
    assert len(seen) == 1, seen


@pytest.mark.parametrize("content, line, needle", [
    ("1,2,a\n3,abc,b\n", 2, "number"),
    ("x1,x2,label\n1,2,a\n3,4,b\nfoo,5,a\n", 4, "number"),
    ("1,2,a\nnan,1,b\n", 2, "finite"),
    ("1,2,a\n3,4,b\n5,inf,a\n", 3, "finite"),
    ("1,2,a\n-inf,4,b\n", 2, "finite"),
    ("1,2,a\n3,4\n", 2, "3 values"),
    ("1,2,a\n3,4,b,c\n", 2, "3 values"),
    ("1,2,a\n\n\n3,4,b,c\n", 4, "3 values"),
    ("1,2,a\r\n3,4,b\r\n5\r\n", 3, "3 values"),
    ("1,2,a\n3,4,\n", 2, "empty"),
    ('1,2,"a\nb"\n3,4,b\nx,5,b\n', 4, "number"),   # a quoted field spans lines 1-2
    ('1,2,a\n3,4,"b\n5,6,a\n', 3, "CSV"),          # a quote never closed
    ('1,2,a\n3,4,"b"x\n', 2, "CSV"),
])
def test_read_csv_errors_name_file_and_line(tmp_path, content, line, needle):
    path = write(tmp_path, "bad_rows.csv", content)
    with pytest.raises(DataError) as info:
        read_csv(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("bad_rows.csv line ")
    assert f"line {line}:" in message
    assert needle in message


@pytest.mark.parametrize("content, needle", [
    ("", "no data rows"),
    ("x1,x2,label\n", "no data rows"),
    ("\n\n  \n", "no data rows"),
    ("1,2,a\n3,4,a\n", "found 1"),
    ("".join(f"{k},2,{chr(97 + k)}\n" for k in range(7)), "found more than 6"),
    (b"1,2,caf\xe9\n3,4,b\n", "UTF-8"),
    (b"1,2,a\x003,4,b\n", "binary"),
])
def test_read_csv_file_level_errors(tmp_path, content, needle):
    path = write(tmp_path, "broken.csv", content)
    with pytest.raises(DataError) as info:
        read_csv(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("broken.csv")
    assert needle in message


def test_read_csv_random_binary_junk(tmp_path):
    rng = np.random.default_rng(0)
    junk = rng.integers(0, 256, size=4096, dtype=np.uint8).tobytes()
    assert b"\0" in junk
    with pytest.raises(DataError, match=r"^junk\.bin: "):
        read_csv(write(tmp_path, "junk.bin", junk))


def test_read_csv_missing_file_and_directory(tmp_path):
    missing = tmp_path / "absent.csv"
    with pytest.raises(DataError, match="absent.csv") as info:
        read_csv(str(missing))
    assert "no such file" in str(info.value)
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    with pytest.raises(DataError, match="folder.csv") as info:
        read_csv(str(folder))
    assert "directory" in str(info.value)


def test_read_csv_field_beyond_csv_limit_is_a_data_error(tmp_path):
    path = write(tmp_path, "wide.csv", "1,2," + "x" * 200_000 + "\n3,4,b\n")
    with pytest.raises(DataError, match=r"^wide\.csv line 1: "):
        read_csv(path)


def test_read_csv_size_limit_applies_to_what_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(data_module, "MAX_CSV_BYTES", 64)
    small = write(tmp_path, "small.csv", "1,2,a\n3,4,b\n")
    assert len(read_csv(small)[1]) == 2
    big = write(tmp_path, "big.csv", "1,2,a\n3,4,b\n" * 20)
    with pytest.raises(DataError, match=r"^big\.csv: larger than"):
        read_csv(big)


@pytest.mark.skipif(not os.path.exists("/dev/zero") or sys.platform == "win32", reason="needs /dev/zero")
def test_read_csv_endless_device_ends():
    # /dev/zero reports size 0 but never ends: the read must stop at the size limit. Run in a child
    # with capped memory and time, so that a regression fails here instead of exhausting the machine.
    import resource

    def cap_memory():
        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))

    code = ("from gdtui.engine import data\n"
            "data.MAX_CSV_BYTES = 4096\n"
            "try:\n"
            "    data.read_csv('/dev/zero')\n"
            "except data.DataError as exc:\n"
            "    print(exc)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          preexec_fn=cap_memory)
    assert proc.returncode == 0, proc.stderr[-500:]
    assert proc.stdout.startswith("zero: ")


def test_read_csv_header_only_skipped_at_the_top(tmp_path):
    # a non-numeric first row is a header; the same row later is an error
    path = write(tmp_path, "h.csv", "1,2,a\nx1,x2,label\n3,4,b\n")
    with pytest.raises(DataError, match="line 2"):
        read_csv(path)


# ---- strict at the door: one header line, a row limit in bounded memory, ASCII numbers -----------


@pytest.mark.parametrize("content, line", [
    ("x1,x2,label\nx1,x2,label\n1,2,a\n3,4,b\n", 2),
    ("title,of,file\n\nx1,x2,label\n1,2,a\n3,4,b\n", 3),
    ("a,b,c\nd,e,f\ng,h,i\n1,2,a\n", 2),
])
def test_read_csv_allows_one_header_line_only(tmp_path, content, line):
    with pytest.raises(DataError) as info:
        read_csv(write(tmp_path, "two_headers.csv", content))
    assert str(info.value).startswith(f"two_headers.csv line {line}: x1 and x2 must be numbers")
    assert "only the first line may be a header" in str(info.value)


def test_read_csv_header_after_blank_lines_is_still_the_header(tmp_path):
    check_plain(read_csv(write(tmp_path, "d.csv", "\n\n  \nx1,x2,label\n" + PLAIN)))


def test_read_csv_refuses_more_rows_than_the_samples_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(data_module, "MAX_SAMPLES", 6)
    rows = [f"{k},{-k},{'ab'[k % 2]}\n" for k in range(7)]
    assert len(read_csv(write(tmp_path, "six.csv", "x1,x2,label\n" + "".join(rows[:6])))[1]) == 6
    with pytest.raises(DataError) as info:
        read_csv(write(tmp_path, "seven.csv", "x1,x2,label\n\n" + "".join(rows)))  # the 7th row is line 9
    assert str(info.value) == "seven.csv line 9: more than 6 data rows (the samples limit)"


def test_the_row_limit_is_the_samples_limit():
    from gdtui.engine.config import MAX_SAMPLES

    assert data_module.MAX_SAMPLES == MAX_SAMPLES == 5_000_000


def test_read_csv_keeps_a_row_in_a_few_bytes(tmp_path):
    # the file is read as a stream and each row kept compactly: the peak memory is a small multiple
    # of the 16 bytes of a row's two floats, not the text plus a list of tuples (over 100 bytes a row)
    import tracemalloc

    rows = 200_000
    path = write(tmp_path, "many.csv", "1.5,-2.25,cat\n3.125,4.0,dog\n" * (rows // 2))
    tracemalloc.start()
    try:
        points, labels, names = read_csv(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert points.shape == (rows, 2) and labels.shape == (rows,) and names == ("cat", "dog")
    assert labels[:4].tolist() == [0.0, 1.0, 0.0, 1.0] and points[1].tolist() == [3.125, 4.0]
    assert peak < 48 * rows, peak / rows


@pytest.mark.parametrize("value", ["３", "٣", "3_0", "3\u200b"])
def test_read_csv_reads_numbers_in_ascii_only(tmp_path, value):
    with pytest.raises(DataError, match=r"^digits\.csv line 2: x1 and x2 must be numbers"):
        read_csv(write(tmp_path, "digits.csv", f"1,2,a\n{value},4,b\n5,6,a\n"))


def test_read_csv_quotes_the_file_escaped_and_short(tmp_path):
    long = "y" * 5000
    cases = {
        "1,2,a\n\x1b[2J,4,b\n": ("line 2", "\\x1b[2J"),
        f"1,2,a\n{long},4,b\n": ("line 2", "yyyy"),
        "1,2,\x1b]0;x\x07\n3,4,b\n5,6,\x1b[31m\n" + "7,8,d\n7,8,e\n7,8,f\n7,8,g\n": ("found more than 6",
                                                                                "\\x1b]0;x\\x07"),
        "".join(f"{k},2,{long}{chr(97 + k)}\n" for k in range(7)): ("found more than 6", "yyyy"),
    }
    for content, (needle, shown) in cases.items():
        with pytest.raises(DataError) as info:
            read_csv(write(tmp_path, "quoted.csv", content))
        message = str(info.value)
        assert needle in message and shown in message and message.isprintable() and len(message) < 200, message


def test_read_csv_counts_labels_without_keeping_them_all(tmp_path):
    content = "".join(f"{k},{k},label{k}\n" for k in range(50))
    with pytest.raises(DataError) as info:
        read_csv(write(tmp_path, "many_labels.csv", content))
    assert str(info.value) == ("many_labels.csv: the label column must hold 2 to 6 distinct values, "
                               "found more than 6 (label0, label1, label2, label3, ...)")


def test_labels_keep_their_text_but_show_escaped(tmp_path):
    path = write(tmp_path, "esc.csv", "1,2,\x1b[31mred\n3,4,blue\x07\n5,6,blue\x07\n")
    points, labels, names = read_csv(path)
    assert names == ("\x1b[31mred", "blue\x07")  # (ESC sorts before b)
    ds = load_dataset(TrainConfig(dataset=path))
    assert ds.labels == names
    assert ds.label_mapping == "\\x1b[31mred -> 0, blue\\x07 -> 1"
    assert ds.shown_labels == ("\\x1b[31mred", "blue\\x07")


def test_a_csv_file_name_is_shown_escaped(tmp_path):
    path = write(tmp_path, "a\x1b[2Jb.csv", "1,2,a\n3,4,b\n")
    assert load_dataset(TrainConfig(dataset=path)).name == "a\\x1b[2Jb.csv"
    with pytest.raises(DataError, match=r"^a\\x1b\[2Jb\.csv: "):
        read_csv(write(tmp_path, "a\x1b[2Jb.csv", "1,2,a\n"))
