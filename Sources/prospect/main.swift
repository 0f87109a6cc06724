import ProspectCLI

ProspectCommand.main()
