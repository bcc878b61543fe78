"""The parties' registries: listed companies (the particulars agreements print) and the mediators."""
