"""One data set per student: reproducible for one id, different across ids, the same on every machine.

The fingerprints below were computed once; they fail the test if the data sets of these ids ever change (a new
numpy, pandas or Python, another machine, or a change in the generator). Changing the generator on purpose
means that students' data sets change mid-course: update the fingerprints only together with a note in the
changelog.

The same 21 fingerprints of the first seven exercises were obtained, when they were recorded, with Python 3.10.13
(numpy 2.2.6, pandas 2.3.3), 3.11.7 (numpy 1.26.4, pandas 2.2.3; and numpy 2.4.6, pandas 3.1.1) and 3.13.0 (numpy
2.5.5, pandas 3.1.1). The three of ``reading_a_cfa`` were recorded with Python 3.11.7, numpy 2.4.6 and pandas 3.1.1
only; its builder uses the same generator and item model as ``reading_an_efa``.
"""

from __future__ import annotations

import hashlib
import itertools

import numpy as np
import pandas as pd
import pytest

from toolkit import classroom
from toolkit.classroom.randomness import StableRandom, derive_seed, normalise_id
from toolkit.exceptions import InvalidParameterError

EXERCISES = list(classroom.list_exercises().index)

FINGERPRINTS = {
    ("reverse_scoring", "2026001"): "b93d8197ac9d7edb",
    ("alpha_by_hand", "2026001"): "9f01852183af8936",
    ("item_deletion", "2026001"): "b789f3737cab2272",
    ("test_length", "2026001"): "25faee4e61d930ca",
    ("alpha_and_omega", "2026001"): "626473f297633f79",
    ("reading_an_efa", "2026001"): "b6fa8f7d2ea952f6",
    ("icc_vs_r", "2026001"): "0a6de12f8e8dd0aa",
    ("reading_a_cfa", "2026001"): "9b6327674e4b4c33",
    ("reverse_scoring", "ab12"): "6fd4575721101566",
    ("alpha_by_hand", "ab12"): "a040a30ab9a58b10",
    ("item_deletion", "ab12"): "9291e8a9e5a27cfb",
    ("test_length", "ab12"): "361682c03273d798",
    ("alpha_and_omega", "ab12"): "78924ab56c31930e",
    ("reading_an_efa", "ab12"): "4a9865da30957c7f",
    ("icc_vs_r", "ab12"): "48e7b56b2095a883",
    ("reading_a_cfa", "ab12"): "1837415872536d41",
    ("reverse_scoring", "Émilie"): "bd621bcb1013c586",
    ("alpha_by_hand", "Émilie"): "5b1f4e15ae164806",
    ("item_deletion", "Émilie"): "40d61029f633d0fb",
    ("test_length", "Émilie"): "10b5ccab46ca71da",
    ("alpha_and_omega", "Émilie"): "143b96ccd3f3be42",
    ("reading_an_efa", "Émilie"): "29332b2f4aa62f67",
    ("icc_vs_r", "Émilie"): "f4c070f7add020ae",
    ("reading_a_cfa", "Émilie"): "c60a5731ca995a91",
}


def fingerprint(df: pd.DataFrame) -> str:
    """Column names, row labels and values (as little-endian float64) hashed: equal only for identical data."""
    h = hashlib.sha256()
    h.update("\x1f".join(map(str, df.columns)).encode())
    h.update("\x1f".join(map(str, df.index)).encode())
    h.update(np.ascontiguousarray(df.to_numpy(dtype=float), dtype="<f8").tobytes())
    return h.hexdigest()[:16]


def test_every_exercise_has_fingerprints():
    assert {name for name, _ in FINGERPRINTS} == set(EXERCISES)


@pytest.mark.parametrize(("exercise", "student"), list(FINGERPRINTS), ids=[f"{e}-{s}" for e, s in FINGERPRINTS])
def test_data_sets_are_the_same_on_every_machine(exercise, student):
    assert fingerprint(classroom.student_data(student, exercise)) == FINGERPRINTS[exercise, student]


def test_the_random_bits_are_the_documented_hash_stream():
    """Block 0 of the stream is BLAKE2b(0 as 8 little-endian bytes, key=SHA-256 of the key parts joined by 0x1f)."""
    key = hashlib.sha256("toolkit.classroom\x1ffingerprint".encode()).digest()
    block = hashlib.blake2b((0).to_bytes(8, "little"), key=key, digest_size=64).digest()
    words = [int.from_bytes(block[8 * i: 8 * i + 8], "little") for i in range(3)]
    assert words == [0xbbfb3a4f715dfb5a, 0xf78faa467bb9c67f, 0x0ef3ef11ddb39c76]
    u = StableRandom("toolkit.classroom", "fingerprint").random(3)
    assert u.tolist() == [((w >> 12) + 0.5) / 2**52 for w in words]  # exact: no rounding anywhere


def test_stable_random_draws_have_the_asked_distributions():
    r = StableRandom("test", "moments")
    u = r.random(20000)
    assert 0 < u.min() and u.max() < 1 and abs(u.mean() - 0.5) < 0.01
    z = r.normal(2.0, 3.0, 20000)
    assert abs(z.mean() - 2.0) < 0.1 and abs(z.std() - 3.0) < 0.1
    k = r.integers(1, 4, 3000)
    assert set(np.unique(k)) == {1, 2, 3}
    assert sorted(r.permutation(10)) == list(range(10))
    assert len(set(r.choice(range(10), 4))) == 4


def test_streams_with_other_keys_differ_and_the_same_key_repeats():
    a, b, c = StableRandom("x", "1"), StableRandom("x", "1"), StableRandom("x", "2")
    first = a.standard_normal((4, 3))
    assert first.shape == (4, 3)
    assert np.array_equal(first, b.standard_normal((4, 3)))
    assert not np.array_equal(first, c.standard_normal((4, 3)))


@pytest.mark.parametrize("exercise", EXERCISES)
def test_one_id_gives_one_data_set_and_other_ids_other_ones(exercise):
    ids = ["2026001", "2026002", "2026003", "s1", "S2"]
    frames = {i: classroom.student_data(i, exercise) for i in ids}
    for i in ids:
        pd.testing.assert_frame_equal(frames[i], classroom.student_data(i, exercise))
    for a, b in itertools.combinations(ids, 2):
        assert not frames[a].equals(frames[b]), (a, b)
    if exercise != "icc_vs_r":  # what the student is told differs too (items, reversed items, targets, loadings)
        assert len({repr(dict(classroom.exercise(exercise, i).given)) for i in ids}) >= 2


def test_ids_are_text_with_spaces_and_case_ignored():
    base = classroom.student_data("AB12", "icc_vs_r")
    for same in (" AB12", "ab12", "Ab12 "):
        pd.testing.assert_frame_equal(base, classroom.student_data(same, "icc_vs_r"))
    pd.testing.assert_frame_equal(classroom.student_data(2026001, "icc_vs_r"),
                                  classroom.student_data("2026001", "icc_vs_r"))
    assert normalise_id(" Émilie ") == "émilie"
    assert classroom.exercise("icc_vs_r", " AB12").student_id == " AB12"  # shown as given, never changed


def test_a_course_label_gives_other_data_sets():
    a = classroom.student_data("2026001", "alpha_by_hand")
    b = classroom.student_data("2026001", "alpha_by_hand", course="PSY301-2027")
    assert not a.equals(b)
    pd.testing.assert_frame_equal(b, classroom.student_data("2026001", "alpha_by_hand", course="psy301-2027"))


def test_the_student_seed_is_fixed_by_the_id():
    assert classroom.exercise("alpha_and_omega", "7").seed == classroom.exercise("alpha_and_omega", " 7 ").seed
    assert classroom.exercise("alpha_and_omega", "7").seed != classroom.exercise("alpha_and_omega", "8").seed
    assert derive_seed("a", "b") < 2**63


@pytest.mark.parametrize("bad", [None, "", "   ", 12.0, True, ["1"]])
def test_a_missing_or_odd_id_is_refused_with_the_fix(bad):
    with pytest.raises(InvalidParameterError, match="student_id.*(student number|empty)"):
        classroom.exercise("icc_vs_r", bad)


def test_an_unknown_exercise_lists_the_known_ones():
    with pytest.raises(InvalidParameterError, match=r"'name' parameter of exercise\(\).*'alpha_by_hand'"):
        classroom.exercise("alpha", "1")
    with pytest.raises(InvalidParameterError, match=r"'exercise' parameter of student_data\(\)"):
        classroom.student_data("1", "alpha")


def test_student_data_is_a_new_copy_and_changing_ex_data_changes_no_check():
    a = classroom.student_data("1", "reverse_scoring")
    a.iloc[:, :] = 0
    assert not classroom.student_data("1", "reverse_scoring").eq(0).all().all()
    ex = classroom.exercise("reverse_scoring", "1")
    lo, hi = ex.given["response_scale"]
    rev = list(ex.given["reversed_items"])
    ex.data[rev] = lo + hi - ex.data[rev]  # a student reverses in place ...
    assert ex.check("keyed", ex.data)  # ... and the checks still compare with the original data, reversed
    assert ex.check("total", ex.data.sum(axis=1))
    assert not ex.check("total", ex.original.sum(axis=1))


@pytest.mark.parametrize("exercise", EXERCISES)
def test_data_sets_are_whole_answers_or_rounded_numbers_with_text_labels(exercise):
    ex = classroom.exercise(exercise, "2026001")
    x = ex.data.to_numpy(dtype=float)
    assert np.isfinite(x).all()
    decimals = 0 if exercise not in ("icc_vs_r", "alpha_and_omega") else (1 if exercise == "icc_vs_r" else 4)
    assert np.array_equal(np.round(x, decimals), x)
    assert all(isinstance(i, str) for i in ex.data.index) and ex.data.index.is_unique
    if "response_scale" in ex.given:
        lo, hi = ex.given["response_scale"]
        assert x.min() >= lo and x.max() <= hi


def test_simulate_scale_is_reproducible_and_has_the_model_s_correlations():
    x = classroom.simulate_scale([0.8, 0.7, 0.6, 0.5], n=20000, seed=3)
    pd.testing.assert_frame_equal(x, classroom.simulate_scale([0.8, 0.7, 0.6, 0.5], n=20000, seed=3))
    assert fingerprint(classroom.simulate_scale([0.8, 0.7, 0.6, 0.5], n=200, seed=7)) == "2d441adaefa646cf"
    r = x.corr().to_numpy()
    lam = np.array([0.8, 0.7, 0.6, 0.5])
    implied = np.outer(lam, lam)
    np.fill_diagonal(implied, 1)
    assert np.abs(r - implied).max() < 0.03  # sampling error at n = 20000 is about 0.01
    assert list(classroom.simulate_scale([0.5, 0.5], n=3, names=["a", "b"]).columns) == ["a", "b"]


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"loadings": [0.5]}, "at least two numbers"),
    ({"loadings": [0.5, 1.2]}, "between -1 and 1"),
    ({"loadings": ["a", "b"]}, "list of numbers"),
    ({"loadings": [0.5, 0.5], "n": 1}, "'n' parameter"),
    ({"loadings": [0.5, 0.5], "names": ["a"]}, "2 different column names"),
    ({"loadings": [0.5, 0.5], "seed": 1.5}, "'seed' parameter"),
])
def test_simulate_scale_refuses_bad_arguments(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        classroom.simulate_scale(**kwargs)
