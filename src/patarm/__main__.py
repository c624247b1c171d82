from patarm.cli import main

raise SystemExit(main())
