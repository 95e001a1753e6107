"""The Wengert list made visible: evaluation traces, tables, graphs and the command line."""
