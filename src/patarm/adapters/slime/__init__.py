"""slime adapter: a ``patarm serve`` judge as slime's reward, two ways.

- the built-in remote reward model: ``--rm-type remote_rm --rm-url http://host:port/slime/reward``
  (the route is :mod:`patarm.serve._slime`);
- a custom reward function: ``--custom-rm-path patarm.adapters.slime.reward`` (:func:`reward`),
  which also sends the server's API key and posts a group as one request.

Either way slime's ``label`` gives the rubric domain and the reference answer the judge
compares the response against. slime is never imported; its ``Sample`` is read by attribute
(``prompt``, ``response``, ``label``).
"""

from patarm.adapters.slime._reward import TIMEOUT_ENV, URL_ENV, reward, sample_body

__all__ = ["TIMEOUT_ENV", "URL_ENV", "reward", "sample_body"]
