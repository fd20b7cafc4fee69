// uPlot is inlined before page.js as its IIFE build (a global); the page uses it untyped.
declare const uPlot: any;
