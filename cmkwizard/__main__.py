from cmkwizard.cli import main

raise SystemExit(main())
