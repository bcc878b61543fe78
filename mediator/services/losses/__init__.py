"""Loss calculation (法释〔2022〕2号): the market and trades files read and checked (``files``), a
batch of investors computed with progress (``batch``), and each investor's breakdown as a PDF and
as JSON (``breakdown``), and the results kept with their cases and offered as the proposed agreed
amount (``cases``). The rules themselves live in ``mediator.domain.losses``.
"""
