# Packaging checks: `make install DESTDIR=...` installs exactly the expected
# files, they work from there, and `make uninstall` removes them all
# (check_install.sh); the bash completion (check_completion.sh); the dist-hook
# that names files missing from the tarball (check_dist.sh, see Makefile.am).
TESTS += tests/pkg/check_install.sh tests/pkg/check_completion.sh
EXTRA_DIST += tests/pkg/check_install.sh tests/pkg/check_completion.sh \
	tests/pkg/check_dist.sh tests/pkg/check_deb.sh tests/pkg/check_deb_install.sh

# check_install.sh reads where each kind of file goes from here.
print-install-dirs:
	@echo "bindir='$(bindir)'"
	@echo "mandir='$(mandir)'"
	@echo "pythondir='$(pythondir)'"
	@echo "pkgdatadir='$(pkgdatadir)'"
	@echo "docdir='$(docdir)'"
	@echo "bashcompletiondir='$(bashcompletiondir)'"
	@echo "PYTHON='$(PYTHON)'"
.PHONY: print-install-dirs
