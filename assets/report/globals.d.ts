// uPlot is loaded before the page scripts as its IIFE build (a global); the pages use it untyped.
declare const uPlot: any;
