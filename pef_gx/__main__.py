from pef_gx.cli.app import main

main()
