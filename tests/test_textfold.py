"""Search folding of Arabic and Spanish (crawler/db/textfold.py)."""

from __future__ import annotations

import pytest

from crawler.db.textfold import fold


@pytest.mark.parametrize("a, b", [
    ("مُحَمَّدٌ", "محمد"),                 # tashkeel
    ("فلسطيـــن", "فلسطين"),              # tatweel
    ("أحمد", "احمد"), ("إسرائيل", "اسرائيل"), ("آمال", "امال"),  # alef forms
    ("مصطفى", "مصطفي"),                  # alef maqsura / ya
    ("المقاومة", "المقاومه"),             # ta marbuta / ha
    ("مسؤول", "مسوول"),
    ("Palestina está", "palestina esta"), ("Año", "ano"), ("pingüino", "pinguino"),
    ("GAZA", "gaza"),
])
def test_variants_readers_treat_as_one_fold_alike(a: str, b: str) -> None:
    assert fold(a) == fold(b)


@pytest.mark.parametrize("a, b", [
    ("كتب", "كتاب"),        # different words stay different
    ("غزة", "عزة"),
    ("casa", "caza"),
])
def test_different_words_stay_different(a: str, b: str) -> None:
    assert fold(a) != fold(b)


def test_spaces_digits_and_latin_survive() -> None:
    assert fold("غزة 2025 Gaza") == "غزه 2025 gaza"
    assert fold("") == ""
