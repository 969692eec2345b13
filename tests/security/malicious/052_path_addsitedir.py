# technique: site.addsitedir on a user-writable directory, then import
# class: pathtrick
# source: Checkmarx, packages that plant modules in user site directories
# declares:
import site

site.addsitedir("/tmp/.pylib")
import sitecustom_core  # noqa: E402,F401
