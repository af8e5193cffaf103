"""The blind hold-out replies (written before their authors read the parser) stay readable."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from handlers.replies import parse_reply
from tests.gates import assert_exact_misses, load_labelled

HOLDOUT_SET = Path(__file__).resolve().parents[1] / "data" / "replies_holdout.jsonl"

# The hold-out replies read otherwise than labelled (every labelled field, note included).
KNOWN_MISSES = {
    "Kính gửi anh, phòng em đã hoàn thành dự thảo và trình lãnh đạo ký ban hành Kế hoạch số "
    "45/KH-SYT ngày 20/02/2026. Trân trọng!": "read in progress ('trình lãnh đạo ký'): the "
    "cited plan, numbered and dated, is not taken as proof that it was issued",
    "Dạ, việc này bên em làm xong từ tuần trước rồi ạ": "the note keeps the opening 'việc "
    "này bên em làm' (only two-word openings such as 'bên em' are dropped)",
    "😢 vướng quá, chưa có kinh phí": "the note keeps 'quá', the intensifier after 'vướng'",
}


def test_holdout_replies_are_read_as_labelled_but_the_known_misses():
    examples = load_labelled(HOLDOUT_SET)
    assert len(examples) >= 80 and all("note" in e["expected"] for e in examples)
    misses = {}
    for example in examples:
        got = parse_reply(example["text"], today=date.fromisoformat(example["today"])).as_dict()
        wrong = {f: (v, got[f]) for f, v in example["expected"].items() if got[f] != v}
        if wrong:
            misses[example["text"]] = wrong
    assert_exact_misses(misses, KNOWN_MISSES, label="replies_holdout.jsonl")
