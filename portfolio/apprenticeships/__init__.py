"""Enterprise new-type apprenticeships (企业新型学徒制): mentors, agreements, life cycle."""
