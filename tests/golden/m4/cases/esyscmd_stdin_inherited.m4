[esyscmd(`cat')]
after
