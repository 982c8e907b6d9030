package org.kinmesh.cli;
public class Main { public static void main(String[] a) { } }
