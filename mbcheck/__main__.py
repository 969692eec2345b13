from mbcheck.cli import main

main()
