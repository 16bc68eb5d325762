"""The LaTeX document model: project files, prose scan, sentences, sections and claims."""
