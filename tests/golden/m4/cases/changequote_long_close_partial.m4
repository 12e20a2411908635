changequote(`<!', `!>')dnl
<!a ! > !b!>
<!x<!y!>z!>
