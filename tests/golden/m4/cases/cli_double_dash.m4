after double dash
