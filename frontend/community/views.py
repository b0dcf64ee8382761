"""The residents' committee's pages: the contracts assigned to the committee, and per evaluation
the community score C, saved through evaluations.services."""

from ..casework.party import PartyPages

pages = PartyPages("community", "community")

home = pages.home
contract_detail = pages.contract_detail
evaluation_detail = pages.evaluation_detail
evaluation_score = pages.evaluation_score
