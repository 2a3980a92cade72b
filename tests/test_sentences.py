"""Arabic sentence splitting: our own, because stanza and MiniSBD need downloads."""

import pytest

from generator.translate.sentences import split_sentences


@pytest.mark.parametrize(("paragraph", "expected"), [
    ("قال د. أحمد إن النمو بلغ 3.5 في المئة. وأضاف أن الأمر مهم!",
     ["قال د. أحمد إن النمو بلغ 3.5 في المئة.", "وأضاف أن الأمر مهم!"]),
    ("وقال: «هذا مهم جداً». ثم غادر.", ["وقال: «هذا مهم جداً».", "ثم غادر."]),
    ("هل سيحدث ذلك؟ لا أحد يعلم… لكن الأمل باق.", ["هل سيحدث ذلك؟", "لا أحد يعلم…", "لكن الأمل باق."]),
    ("زار موقع aljazeera.net اليوم. ثم عاد في 12.04.2017 إلى بلده.",
     ["زار موقع aljazeera.net اليوم.", "ثم عاد في 12.04.2017 إلى بلده."]),
    ('وقال بيسكوف "نعتبر أن الأهم هو مكافحة (داعش)." وأكد ذلك.',
     ['وقال بيسكوف "نعتبر أن الأهم هو مكافحة (داعش)."', "وأكد ذلك."]),
    ("The U.S. said so. Then it left.", ["The U.S. said so.", "Then it left."]),
    ("قالت وكالة (أ.ف.ب) إن الاجتماع انتهى.", ["قالت وكالة (أ.ف.ب) إن الاجتماع انتهى."]),
    ("عنوان بلا نقطة", ["عنوان بلا نقطة"]),
    ("", []),
])
def test_split(paragraph: str, expected: list[str]) -> None:
    assert split_sentences(paragraph) == expected


def test_sentences_rejoin_to_the_paragraph() -> None:
    paragraph = "أولا. ثانيا!  ثالثا؟ «رابعا». خامسا"
    assert " ".join(split_sentences(paragraph)) == " ".join(paragraph.split())
