"""Alert rules: load (`rules`), match (`matcher`), evaluate at ingest (`engine`), deliver
(`notifiers`), export to Kibana (`kibana_export`), dry-run on files (`dryrun`)."""
