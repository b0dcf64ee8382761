"""The third-party assessor's pages: the contracts assigned to the assessor's organisation, and per
evaluation the third-party score T and the sample survey, saved through evaluations.services."""

from ..casework.party import PartyPages

pages = PartyPages("assessor", "third_party", survey=True)

home = pages.home
contract_detail = pages.contract_detail
evaluation_detail = pages.evaluation_detail
evaluation_score = pages.evaluation_score
evaluation_survey = pages.evaluation_survey
