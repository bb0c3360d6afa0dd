from shufang.cli import main

main()
