"""Aut dedere aut judicare (art. 37(3)-(4)): an extradition refused because the person is a
national of the requested State obliges that State to submit the case to its own authorities
for prosecution, without undue delay, and to report the outcome. Tracked on both copies."""
