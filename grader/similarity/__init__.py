"""Which submissions of a class share code beyond what the release gave them (`grader
similarity`, docs/similarity.md). Student code is only read, never run.

    extract.py      the code a student wrote (solution and added cells, by the release's cell
                    roles) and the instructor's code that is subtracted
    normalize.py    np.dot / np.matmul / .dot calls rewritten as `@`
    fingerprint.py  copydetect's tokenizing and winnowing, with a hash that is the same in every
                    process; fingerprints mapped back to the student's lines
    compare.py      pair scores from one sparse product; the lines a pair shares
    run.py          finding the submissions (and past classes'), fingerprinting them in parallel
    output.py       similarity.csv / .html / .png / .json and the section of report.html
"""
