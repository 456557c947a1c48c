# Bash completion, installed where bash-completion looks for it on demand.
# It reads option, scanner and setting names from the tcpflow it completes.
bashcompletiondir = $(datadir)/bash-completion/completions
dist_bashcompletion_DATA = completion/tcpflow
