import sys

if sys.argv[1:2] == ["settle"]:  # python -m bench settle: the settlement bench (bench/settle.py)
    from .settle import main as settle

    raise SystemExit(settle(sys.argv[2:]))

from .run import main

raise SystemExit(main())
