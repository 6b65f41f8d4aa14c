import { servePrettyPrint } from './pretty-print-protocol.ts';

// A worker's global scope speaks the same message protocol as a MessagePort (typed here as the page's `self`,
// since the project compiles against the DOM library).
servePrettyPrint(self);
