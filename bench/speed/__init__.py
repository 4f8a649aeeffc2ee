"""Speed and scale: indexing rate, query latency and HTTP throughput at several corpus sizes.

Run ``python -m bench.speed --help``. One module per job: ``corpus`` (the first N VietNews
articles), ``queries`` (keyword and question sets, the peers' query forms), ``steps`` (child
processes and the resumable step cache), ``engines`` (vnsearch and the token-fed peers),
``fair`` (FTS5 and Tantivy configured as a user would), ``timing`` (query latency),
``stages`` (where indexing and searching spend their time), ``load`` (the HTTP load generator,
also used by the reliability tests), ``report`` (the markdown) and ``plot``.
"""
