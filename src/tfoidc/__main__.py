from tfoidc.cli.main import main

main()
