// The viewer page's entry point (vncgate-page.js): starts the page app of src/ui.

import { startUi } from '../ui/ui';

startUi();
