import subprocess
import sys


def test_importing_matching_pulls_in_neither_django_nor_the_model():
    code = (
        "import sys, matching, matching.evaluate\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'django', 'torch', 'sentence_transformers', 'transformers'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"
