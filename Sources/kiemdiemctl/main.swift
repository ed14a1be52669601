import ArgumentParser

Ctl.main()
