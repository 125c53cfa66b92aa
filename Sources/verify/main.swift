import VerifierCLI
VerifierCommand.main()
