; Falco rules files are YAML: highlight them with the YAML queries.
; inherits: yaml
