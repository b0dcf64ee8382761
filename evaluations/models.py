# Resident ratings, evaluations (T, B, R, C), the composite score and the holdback release share
# arrive with the money-loop issue; see DESIGN sections 4.5 and 5.
