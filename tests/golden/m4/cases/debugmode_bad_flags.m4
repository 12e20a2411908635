debugmode(`z')dnl
debugmode(`+-')dnl
done
