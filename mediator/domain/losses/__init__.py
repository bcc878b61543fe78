"""The loss rules of 法释〔2022〕2号 (SPC Provisions on securities false statements), pure and exact.

``trades`` holds the trade records and the checks of a trade list, ``averages`` the buy-average
methods, ``base_day`` the 基准日 and 基准价 (Art. 26), ``market_risk`` the Art. 31 index comparison,
``calculation`` the per-investor breakdown (Art. 11, 25, 27, 28), each step citing its article,
``rights`` the ex-rights adjustment (复权) when the market data carries a factor, and ``headers``
the column names of the market and trades files. Money is Decimal; no I/O.
"""
