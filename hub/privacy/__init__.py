"""Data protection (issue 15): the registry of personal data, export (Art. 15/20), erasure (Art. 17), legal pages.

Every model says in ``personal_data`` what it holds of a person and what erasure does with it
(``hub.core.personal_data.Personal``); export and erasure walk those declarations, so a new model is covered by
declaring, and tests/test_privacy.py fails for a model that looks personal and declares nothing.
"""

from hub.core.features import Feature

FEATURE = Feature("hub.privacy", pages=("hub.privacy.views:bp",), api=("hub.privacy.api:blp",))
