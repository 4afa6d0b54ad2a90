"""What the ITA asks an agency to publish, built from the tracked work (issue 12).

    model.py      the results report as plain data (ResultsReport): what every output below shows
    results.py    ResultsReport from the database, for an organization, a fiscal year and a day (as of)
    documents/    the report as PDF (WeasyPrint), DOCX (python-docx) and XLSX (openpyxl)
"""
