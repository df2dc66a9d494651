from charterplan.cli import main

raise SystemExit(main())
